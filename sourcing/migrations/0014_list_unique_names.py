"""A team's list names are unique, case and spaces ignored (ProductList.name_key).

Teams may already hold lists whose names differ only in case or spacing: the older keeps its name, the
others become "name (2)", "name (3)" … (the first free number), so the constraint can be added.
"""

from django.db import migrations, models


def _key(name):
    return "".join(str(name or "").split()).casefold()[:240]


def fill_keys(apps, schema_editor):
    ProductList = apps.get_model("sourcing", "ProductList")
    rows = list(ProductList.objects.order_by("created_at", "pk").values_list("pk", "team_id", "name"))
    taken = {}  # team id -> every key in use, so a new "(2)" never lands on an existing "Samples (2)"
    for _pk, team_id, name in rows:
        taken.setdefault(team_id, set()).add(_key(name))
    kept = set()  # (team id, key) of the oldest list of each name, which keeps it
    for pk, team_id, name in rows:
        if (team_id, _key(name)) not in kept:
            kept.add((team_id, _key(name)))
            ProductList.objects.filter(pk=pk).update(name_key=_key(name))
            continue
        base, number = " ".join(name.split()), 1
        while True:
            number += 1
            suffix = f" ({number})"
            candidate = base[: 120 - len(suffix)] + suffix
            if _key(candidate) not in taken[team_id]:
                break
        taken[team_id].add(_key(candidate))
        ProductList.objects.filter(pk=pk).update(name=candidate, name_key=_key(candidate))


class Migration(migrations.Migration):
    dependencies = [
        ("sourcing", "0013_quota_exhaustion"),
    ]

    operations = [
        migrations.AddField(
            model_name="productlist",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=240),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="productlist",
            constraint=models.UniqueConstraint(fields=("team", "name_key"), name="one_list_name_per_team"),
        ),
    ]
