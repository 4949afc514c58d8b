from django.urls import path

from sourcing.views import teams

urlpatterns = [
    path("", teams.home, name="home"),
    path("accounts/signup/", teams.signup, name="signup"),
    path("teams/", teams.team_list, name="team_list"),
    path("teams/switch/", teams.team_switch, name="team_switch"),
    path("teams/<int:team_id>/", teams.team_detail, name="team_detail"),
    path("teams/<int:team_id>/invite/", teams.team_invite, name="team_invite"),
    path("teams/<int:team_id>/members/<int:member_id>/role/", teams.member_role, name="member_role"),
    path("teams/<int:team_id>/members/<int:member_id>/remove/", teams.member_remove, name="member_remove"),
    path(
        "teams/<int:team_id>/invitations/<int:invitation_id>/revoke/",
        teams.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invite/<str:token>/", teams.invitation_accept, name="invitation_accept"),
    path("search/", teams.coming_soon, {"area": "search"}, name="search"),
    path("lists/", teams.coming_soon, {"area": "lists"}, name="lists"),
    path("suppliers/", teams.coming_soon, {"area": "suppliers"}, name="suppliers"),
    path("connections/", teams.coming_soon, {"area": "connections"}, name="connections"),
    path("api-status/", teams.coming_soon, {"area": "api-status"}, name="api_status"),
]
