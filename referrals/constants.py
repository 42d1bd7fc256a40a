"""Referral sources, statuses and conversation modes."""

from django.db import models


class ReferralSource(models.TextChoices):
    SELF = "self", "Self-referral"
    CARE_COORDINATOR = "care_coordinator", "Care coordinator"
    GP = "gp", "GP"
    HOSPITAL_DISCHARGE = "hospital_discharge", "Hospital discharge"
    OTHER_TEAM = "other_team", "Another team"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    OUTREACH = "outreach", "Outreach letter or leaflet"


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    TRANSFERRED = "transferred", "Transferred"


# Allowed changes of status: from -> the statuses it may move to.
REFERRAL_TRANSITIONS = {
    ReferralStatus.RECEIVED: {
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
        ReferralStatus.TRANSFERRED,
    },
    ReferralStatus.ACCEPTED: {ReferralStatus.WITHDRAWN, ReferralStatus.TRANSFERRED},
    ReferralStatus.DECLINED: set(),
    ReferralStatus.WITHDRAWN: set(),
    ReferralStatus.TRANSFERRED: set(),
}


class ConversationMode(models.TextChoices):
    HOME_VISIT = "home_visit", "Home visit"
    CLINIC = "clinic", "Clinic"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"


class Participant(models.TextChoices):
    PERSON = "person", "The person"
    FAMILY_CARER = "family_carer", "Family or carer"
    BROKER = "broker", "Broker"
    PEER = "peer", "Peer supporter"
    CARE_COORDINATOR = "care_coordinator", "Care coordinator"
    OTHER = "other", "Other"


# Who may take referrals in and decide on them (accept, decline, withdraw, transfer), and who
# holds the conversation with the person. Brokers, finance, commissioners and panel reviewers do
# neither (phb/visibility.py: referrals are the care team's).
REFERRAL_ROLES = ("care_coordinator", "team_lead", "phb_lead")
CONVERSATION_ROLES = ("care_coordinator", "team_lead", "phb_lead")
