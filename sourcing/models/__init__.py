from .accounts import Invitation, Membership, Team, User

__all__ = ["Invitation", "Membership", "Team", "User"]
