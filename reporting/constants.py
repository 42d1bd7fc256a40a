"""Who may read the reporting app's pages and endpoints."""

from phb.constants import Role

# The dashboard lists people waiting for funds, so it is person-level: never the region viewer.
DASHBOARD_ROLES = frozenset({Role.COMMISSIONER, Role.PHB_LEAD, Role.ORG_ADMIN, Role.FINANCE})
# Commissioners send the quarterly return; the PHB lead and the organisation's administrator help.
RETURN_ROLES = frozenset({Role.COMMISSIONER, Role.ORG_ADMIN, Role.PHB_LEAD})
