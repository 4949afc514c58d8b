"""The sandbox gateway's URLs (mounted at /sandbox/)."""

urlpatterns = []
