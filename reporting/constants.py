"""Who may read the reporting app's pages and endpoints."""

from phb.constants import Role

# The dashboard lists people waiting for funds, so it is person-level: never the region viewer, nor
# the org admin, who sees no person-level record (phb/visibility.py).
DASHBOARD_ROLES = frozenset({Role.COMMISSIONER, Role.PHB_LEAD, Role.FINANCE})
# Commissioners send the quarterly return; the PHB lead helps.
RETURN_ROLES = frozenset({Role.COMMISSIONER, Role.PHB_LEAD})
