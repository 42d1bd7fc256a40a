"""Codes shared by every app: roles, cohorts, NHS Data Dictionary genders and ethnic categories."""

from django.db import models


class Role(models.TextChoices):
    CARE_COORDINATOR = "care_coordinator", "Care coordinator"
    TEAM_LEAD = "team_lead", "Team lead"
    PHB_LEAD = "phb_lead", "PHB lead clinician"
    LIVED_EXPERIENCE_REVIEWER = "lived_experience_reviewer", "Lived experience reviewer"
    COMMISSIONER = "commissioner", "Commissioner"
    BROKER = "broker", "Broker"
    FINANCE = "finance", "Finance"
    ORG_ADMIN = "org_admin", "Organisation administrator"
    REGION_VIEWER = "region_viewer", "Region viewer"


class Cohort(models.TextChoices):
    CHC = "chc", "Adult NHS continuing healthcare"
    CCC = "ccc", "Children's continuing care"
    S117 = "s117", "Section 117 aftercare"
    MENTAL_HEALTH = "mental_health", "Mental health"
    LD_AUTISM = "ld_autism", "Learning disability and autism"
    LTC = "ltc", "Long-term condition"
    EHCP = "ehcp", "Education, health and care plan"
    WHEELCHAIR = "wheelchair", "Personal wheelchair budget"
    END_OF_LIFE = "end_of_life", "End of life (including CHC fast track)"
    MATERNITY = "maternity", "Maternity"
    OTHER = "other", "Other"


class Gender(models.TextChoices):
    """NHS Data Dictionary: person stated gender code."""

    MALE = "1", "Male"
    FEMALE = "2", "Female"
    INDETERMINATE = "9", "Indeterminate"
    NOT_KNOWN = "X", "Not known"


class Ethnicity(models.TextChoices):
    """NHS Data Dictionary: ethnic category (2001 census categories)."""

    A = "A", "White - British"
    B = "B", "White - Irish"
    C = "C", "White - Any other White background"
    D = "D", "Mixed - White and Black Caribbean"
    E = "E", "Mixed - White and Black African"
    F = "F", "Mixed - White and Asian"
    G = "G", "Mixed - Any other mixed background"
    H = "H", "Asian or Asian British - Indian"
    J = "J", "Asian or Asian British - Pakistani"
    K = "K", "Asian or Asian British - Bangladeshi"
    L = "L", "Asian or Asian British - Any other Asian background"
    M = "M", "Black or Black British - Caribbean"
    N = "N", "Black or Black British - African"
    P = "P", "Black or Black British - Any other Black background"
    R = "R", "Other ethnic groups - Chinese"
    S = "S", "Other ethnic groups - Any other ethnic group"
    Z = "Z", "Not stated"


# The dashboard's ethnicity groups, keyed by ethnic category letter.
ETHNICITY_GROUP = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian"),
    **dict.fromkeys("MNP", "Black"),
    **dict.fromkeys("RS", "Other"),
    "Z": "Not stated",
}


class RepresentativeKind(models.TextChoices):
    NONE = "", "None"
    REPRESENTATIVE = "representative", "Representative"
    NOMINEE = "nominee", "Nominee"
