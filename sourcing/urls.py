from django.urls import path, register_converter

from sourcing.converters import IdConverter
from sourcing.views import connections as conn
from sourcing.views import teams
from sourcing.views.site import favicon

# Every id in a URL is <id:...>: an <int:...> past 2**63-1 would reach the database and fail there (500).
register_converter(IdConverter, "id")

urlpatterns = [
    path("", teams.home, name="home"),
    path("accounts/signup/", teams.signup, name="signup"),
    path("teams/", teams.team_list, name="team_list"),
    path("teams/switch/", teams.team_switch, name="team_switch"),
    path("teams/<id:team_id>/", teams.team_detail, name="team_detail"),
    path("teams/<id:team_id>/invite/", teams.team_invite, name="team_invite"),
    path("teams/<id:team_id>/members/<id:member_id>/role/", teams.member_role, name="member_role"),
    path("teams/<id:team_id>/members/<id:member_id>/remove/", teams.member_remove, name="member_remove"),
    path(
        "teams/<id:team_id>/invitations/<id:invitation_id>/revoke/",
        teams.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invite/<str:token>/", teams.invitation_accept, name="invitation_accept"),
    path("search/", teams.coming_soon, {"area": "search"}, name="search"),
    path("lists/", teams.coming_soon, {"area": "lists"}, name="lists"),
    path("suppliers/", teams.coming_soon, {"area": "suppliers"}, name="suppliers"),
    path("connections/", conn.connection_list, name="connection_list"),
    path("connections/new/", conn.connection_new, name="connection_new"),
    path("connections/<id:pk>/", conn.connection_detail, name="connection_detail"),
    path("connections/<id:pk>/edit/", conn.connection_edit, name="connection_edit"),
    path("connections/<id:pk>/reveal/", conn.connection_reveal, name="connection_reveal"),
    path("connections/<id:pk>/reset-secret/", conn.connection_reset_secret, name="connection_reset_secret"),
    path("connections/<id:pk>/connect/", conn.connection_connect, name="connection_connect"),
    path("connections/<id:pk>/disconnect/", conn.connection_disconnect, name="connection_disconnect"),
    path("connections/<id:pk>/verify/", conn.connection_verify, name="connection_verify"),
    path("connections/<id:pk>/check-key/", conn.connection_check_key, name="connection_check_key"),
    path("connections/<id:pk>/delete/", conn.connection_delete, name="connection_delete"),
    path("connections/<id:pk>/permissions/<id:permission_id>/", conn.permission_status, name="permission_status"),
    path("auth/1688/callback", conn.oauth_callback, name="oauth_callback"),
    path("api-status/", conn.api_status, name="api_status"),
    path("api-status/check/", conn.api_status_check, name="api_status_check"),
    path("api-status/check/<id:check_id>/", conn.api_status_check_progress, name="api_status_check_progress"),
    path("favicon.ico", favicon, name="favicon"),
]
