"""factory-boy factories, one module per app; import them all from here."""

from .approvals import *  # noqa: F403
from .funds import *  # noqa: F403
from .holders import *  # noqa: F403
from .kernel import *  # noqa: F403
from .payments import *  # noqa: F403
from .providers import *  # noqa: F403
from .referrals import *  # noqa: F403
from .reporting import *  # noqa: F403
from .reviews import *  # noqa: F403
from .support_plans import *  # noqa: F403
