"""Every API the portal calls is in the permission list now (buying, related offers, batch inquiry, messages):
existing credentials get a row for each, as new ones do (credential_create). One statement, so a credential never
has half of them; a row the door already made for related offers is kept."""

from django.db import migrations

# The ids added to PORTAL_APIS by this change, frozen here (the live list may change after it).
NEW_APIS = [
    "com.alibaba.trade:alibaba.createOrder.preview-1",
    "com.alibaba.fenxiao.crossborder:product.freight.estimate-1",
    "com.alibaba.trade:alibaba.trade.createCrossOrder-1",
    "com.alibaba.trade:alibaba.trade.get.buyerView-1",
    "com.alibaba.trade:alibaba.trade.getBuyerOrderList-1",
    "com.alibaba.trade:alibaba.alipay.url.get-1",
    "com.alibaba.trade:alibaba.trade.cancel-1",
    "com.alibaba.logistics:alibaba.trade.getLogisticsTraceInfo.buyerView-1",
    "com.alibaba.fenxiao.crossborder:product.related.recommend-1",
    "com.alibaba.agent:newtoncloud.task.create-1",
    "com.alibaba.agent:newtoncloud.batchInquiry.getResult-1",
    "cn.alibaba.open:push.query.messageList-1",
    "cn.alibaba.open:push.message.confirm-1",
    "com.alibaba.product:alibaba.product.follow-1",
    "com.alibaba.product:alibaba.product.unfollow.crossborder-1",
]


def add_rows(apps, schema_editor):
    AppCredential = apps.get_model("sourcing", "AppCredential")
    ApiPermission = apps.get_model("sourcing", "ApiPermission")
    rows = [ApiPermission(credential_id=pk, api=api) for pk in AppCredential.objects.values_list("pk", flat=True)
            for api in NEW_APIS]  # fmt: skip
    ApiPermission.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def remove_untouched_rows(apps, schema_editor):
    # Back: the rows nothing was recorded on (never observed, never set) go; the others keep their history.
    ApiPermission = apps.get_model("sourcing", "ApiPermission")
    ApiPermission.objects.filter(api__in=NEW_APIS, observed="unknown", status="not_requested", changes=None).delete()


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("sourcing", "0027_messages_in")]
    operations = [migrations.RunPython(add_rows, remove_untouched_rows)]
