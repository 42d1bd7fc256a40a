"""The pathway on one screen: every domain event (phb/events.py) and, in order, who reacts to it.

Read top to bottom, this is the flow of a personal health budget. Reactions are named by dotted path
so that the kernel imports no later stage; each is a plain function in the app that does the work
(`payments/reactions.py`: `on_plan_approved`), run inside the publishing service's transaction.
Notifications, the reporting summaries and the access log hang off the same events.
"""

REACTIONS: dict[str, tuple[str, ...]] = {
    # referral accepted -> its care coordinator is told; a transfer accepted: the sender's budgets close
    # as "moved" and the sender is told
    "ReferralAccepted": (
        "support_plans.reactions.on_referral_accepted",
        "referrals.reactions.notify_referral_accepted",
    ),
    # referral transferred -> refused while a plan is in progress here; else both sides are told
    "ReferralTransferred": (
        "support_plans.reactions.on_referral_transferred",
        "referrals.reactions.notify_referral_transferred",
    ),
    # referral declined -> for a transfer, the sender is told the person is theirs again
    "ReferralDeclined": ("referrals.reactions.notify_referral_declined",),
    # support plan submitted for sign-off -> an approval request opens under the policy in force
    "PlanSubmitted": ("approvals.reactions.on_plan_submitted",),
    # last sign-off landed -> the budget account opens (or is re-sized); a fund agreed in advance with
    # room releases the year's money at once (else the account waits, saying why); a revision's
    # reviews move to it
    "PlanApproved": (
        "payments.reactions.on_plan_approved",
        "payments.reactions.on_plan_approved_release_from_fund",
        "reviews.reactions.on_plan_approved",
        "payments.reactions.notify_plan_approved",
    ),
    # budgets imported as approved (the bulk PlanApproved) -> their accounts open, a fund with room
    # releases, or each account says why not; finance and brokers are told
    "BudgetsImported": (
        "payments.reactions.on_budgets_imported",
        "payments.reactions.on_budgets_imported_release_from_fund",
        "payments.reactions.notify_budgets_imported",
    ),
    # first release or payment -> reviews are scheduled
    "PlanActivated": ("reviews.reactions.on_plan_activated",),
    # many plans made active at once (an import's budgets paid under before it) -> their reviews are
    # scheduled
    "PlansActivated": ("reviews.reactions.on_plans_activated",),
    # funds released / a payment recorded -> the broker and care coordinator are told
    "FundsReleased": ("payments.reactions.notify_funds_released",),
    "PaymentRecorded": ("payments.reactions.notify_payment_recorded",),
    # a budget names its broker -> that broker is told
    "BrokerAssigned": ("payments.reactions.notify_broker_assigned",),
    "ReviewCompleted": (),
    # budget closed -> the account closes, instalments stop
    "PlanClosed": ("payments.reactions.on_plan_closed", "payments.reactions.notify_plan_closed"),
    # any audited change about a person -> the live figures recount them (reporting/live.py)
    "DataChanged": ("reporting.reactions.on_data_changed",),
}
