"""Hand work to a Celery task by its name once the transaction commits: services never import tasks (tasks import
services), so the arrows point one way (docs/architecture.md)."""

from celery import current_app


def enqueue(name: str, *args, **kwargs) -> None:
    """Queue task `sourcing.tasks.<name>` with these arguments when the current transaction commits."""
    # Looked up when called (every task module is imported when the app is ready: sourcing/apps.py).
    current_app.tasks[f"sourcing.tasks.{name}"].delay_on_commit(*args, **kwargs)
