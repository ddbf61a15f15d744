"""How a customer churn rate is counted: the :class:`ChurnConvention` scheme.

"Churn rate" has no single formula. Vendors differ in three choices, each an
explicit field here:

* the **denominator**: customers at the start of the period, the average of the
  start and end counts, customers at the start plus those who joined during the
  period, or the customer-time at risk (customer-days of exposure);
* **same-period joiners**: whether a customer who joined (signed up or came back)
  and churned within the same period counts as churned;
* **reactivations**: whether a customer who churned and came back within the same
  period counts as churned.

Named presets reproduce what each vendor documents publicly; where a detail
could not be verified the preset says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, cast, get_args

import attrs

from cxmetrics._core.arrays import nan_equal_fields
from cxmetrics._core.validation import check_option
from cxmetrics.exceptions import InvalidInputTypeError
from cxmetrics.typing import (
    ChurnDenominator,
    ChurnJoiners,
    ChurnPreset,
    ChurnReactivations,
)

__all__ = ["ChurnConvention"]


def _check(
    name: str, allowed: object
) -> Callable[[object, attrs.Attribute[str], str], None]:
    def validate(_: object, __: attrs.Attribute[str], value: str) -> None:
        check_option(name, value, allowed)

    return validate


@attrs.frozen(field_transformer=nan_equal_fields)
class ChurnConvention:
    r"""The counting rules of a customer churn rate.

    Parameters
    ----------
    denominator : {'start', 'average', 'start_plus_new', 'exposure'}, default 'start'
        ``'start'``: customers active at the start of the period, :math:`S`.
        ``'average'``: :math:`(S + E)/2` with :math:`E` the customers active at
        the end. ``'start_plus_new'``: :math:`S + J`, every customer at risk at
        some point of the period (:math:`J` joins: sign-ups and comebacks).
        ``'exposure'``: customer-time at risk in units of the period
        (customer-days divided by the days in the period); the value is then a
        rate of churn events per customer-period, not a proportion.
    same_period_joiners : {'include', 'exclude'}, default 'exclude'
        A customer who joins and churns within one period: counted as churned
        (``'include'``) or ignored entirely (``'exclude'``: left out of the
        numerator, and of :math:`J` in the ``'start_plus_new'`` denominator).
    reactivations : {'count', 'net'}, default 'count'
        A customer who churns and comes back within one period: counted as a churn
        (``'count'``; each churn event counts) or netted out (``'net'``: neither
        the churn nor the comeback is counted).

    Notes
    -----
    With :math:`C` the churn events of the period that the rules keep,

    .. math::

        \mathrm{churn} = \frac{C}{D}, \qquad
        D \in \Bigl\{S,\ \tfrac{S+E}{2},\ S + J,\ \textstyle\sum_i t_i\Bigr\},

    where :math:`t_i` is the time customer :math:`i` was active during the period,
    as a fraction of its length. Only ``'start_plus_new'`` (and ``'exposure'``)
    guarantee :math:`C \le D`: with ``'start'`` and same-period joiners included a
    churn rate above 1 is possible in a fast-growing period.

    Presets (see :meth:`presets`), each from the vendor's public documentation:

    ========== ================== ============ ============= =========================
    preset     denominator        joiners      reactivations verified
    ========== ================== ============ ============= =========================
    chartmogul start              exclude      net           yes [1]_
    baremetrics start             include      count         denominator, joiners [2]_
    profitwell start              exclude      count         joiners only [3]_
    stripe     start_plus_new     include      count         yes [4]_
    recurly    start              include      count         denominator only [5]_
    shopify    exposure           include      count         formula, partly [6]_
    ========== ================== ============ ============= =========================

    Baremetrics and Stripe report over a trailing 30-day window rather than a
    calendar month; here the period is whatever window the counts come from.

    References
    ----------
    .. [1] ChartMogul, "Churn rate formulas", Standard (B2B) formula:
       churned customers, less those who joined and churned or churned and
       reactivated in the period, over customers at the start.
       https://help.chartmogul.com/hc/en-us/articles/207340419-Churn-rate-formulas
       (ChartMogul's other, "Shopify (B2C)", formula sums daily churn rates; it
       is not reproduced here: ``'exposure'`` is the closest.)
    .. [2] Baremetrics, "User and Revenue Churn": cancelled customers in the last
       30 days over active customers 30 days ago,
       https://help.baremetrics.com/en/articles/5380347-user-and-revenue-churn ;
       sign-ups who cancel in the same window are included since
       https://changelog.baremetrics.com/churn-update-4pqo9O . Reactivations:
       not documented (assumed ``'count'``).
    .. [3] ProfitWell (Paddle), "Are cancellations in the first month counted as
       churn?": customers who sign up and churn in the same month are ignored
       entirely,
       https://www.paddle.com/help/profitwell-metrics/measure/subscription-retention/are-cancellations-in-the-first-month-counted-as-churn
       ; a customer who comes back is recorded as a reactivation (ProfitWell vs.
       ReCharge comparison). The denominator could not be verified in public
       documentation: customers at the start is assumed.
    .. [4] Stripe, "Calculating churn rate in Billing": churned subscribers in the
       past 30 days over active subscribers 30 days ago plus new subscribers in
       those 30 days; a subscriber who starts and churns in the window is in
       both; a returning subscriber who ends again is a second churn.
       https://support.stripe.com/questions/calculating-churn-rate-in-billing
    .. [5] Recurly, "Key terms related to churn, defined": subscribers who churned
       during the month over subscribers active at its beginning,
       https://recurly.com/blog/key-terms-related-to-churn-defined/ . Same-period
       sign-ups and reactivations: not documented (assumed counted).
    .. [6] Noble, S. H. (Shopify), "Defining churn rate (no really, this actually
       requires an entire blog post)": churns per customer-day of exposure, scaled
       to the period,
       https://shopifyengineering.myshopify.com/blogs/engineering/defining-churn-rate-no-really-this-actually-requires-an-entire-blog-post
       (only the opening of the post could be read; the scaling by the days in
       the period is as the post is widely quoted).

    Examples
    --------
    >>> ChurnConvention()
    ChurnConvention(denominator='start', same_period_joiners='exclude', reactivations='count')
    >>> ChurnConvention.stripe()
    ChurnConvention(denominator='start_plus_new', same_period_joiners='include', reactivations='count')
    >>> ChurnConvention.preset("chartmogul").reactivations
    'net'
    """

    denominator: ChurnDenominator = attrs.field(
        default="start", validator=_check("denominator", ChurnDenominator)
    )
    same_period_joiners: ChurnJoiners = attrs.field(
        default="exclude", validator=_check("same_period_joiners", ChurnJoiners)
    )
    reactivations: ChurnReactivations = attrs.field(
        default="count", validator=_check("reactivations", ChurnReactivations)
    )

    _PRESETS: ClassVar[tuple[str, ...]] = get_args(ChurnPreset)

    @property
    def is_proportion(self) -> bool:
        """True unless the denominator is exposure (then the value is a rate)."""
        return self.denominator != "exposure"

    @classmethod
    def chartmogul(cls) -> ChurnConvention:
        """ChartMogul's Standard (B2B) formula: start; joiners excluded; reactivations netted."""
        return cls("start", "exclude", "net")

    @classmethod
    def baremetrics(cls) -> ChurnConvention:
        """Baremetrics' user churn: start; same-window sign-ups included."""
        return cls("start", "include", "count")

    @classmethod
    def profitwell(cls) -> ChurnConvention:
        """ProfitWell (Paddle): same-month sign-ups ignored; start assumed."""
        return cls("start", "exclude", "count")

    @classmethod
    def stripe(cls) -> ChurnConvention:
        """Stripe Billing: start plus new; same-window sign-ups and repeat churns counted."""
        return cls("start_plus_new", "include", "count")

    @classmethod
    def recurly(cls) -> ChurnConvention:
        """Recurly's subscriber churn: churned during the month over active at its start."""
        return cls("start", "include", "count")

    @classmethod
    def shopify(cls) -> ChurnConvention:
        """Shopify's (Noble) churn: churn events per customer-period of exposure."""
        return cls("exposure", "include", "count")

    @classmethod
    def presets(cls) -> dict[str, ChurnConvention]:
        """Every named preset, by name.

        Examples
        --------
        >>> sorted(ChurnConvention.presets())
        ['baremetrics', 'chartmogul', 'profitwell', 'recurly', 'shopify', 'stripe']
        """
        return {name: getattr(cls, name)() for name in cls._PRESETS}

    @classmethod
    def preset(cls, name: ChurnPreset) -> ChurnConvention:
        """The preset called ``name`` (see :meth:`presets`)."""
        check_option("name", name, ChurnPreset)
        convention: ChurnConvention = getattr(cls, name)()
        return convention


def as_convention(convention: object) -> ChurnConvention:
    """A convention object from itself or a preset name."""
    if isinstance(convention, ChurnConvention):
        return convention
    if isinstance(convention, str):
        check_option("convention", convention, ChurnPreset)
        return ChurnConvention.preset(cast("ChurnPreset", convention))
    msg = (
        f"`convention` must be a ChurnConvention or a preset name; got {convention!r}."
    )
    raise InvalidInputTypeError(msg)
