"""党费 by the 2008 规定, at the edges of every band: a band's upper bound is inclusive, money is
Decimal to the fen, and the table is data an admin can version."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from members.dues.calculation import monthly_dues
from members.dues.models import DuesRule


@pytest.mark.parametrize(
    ("category", "income", "amount", "percent"),
    [
        ("employed", "1000.00", "5.00", "0.5"),
        ("employed", "3000.00", "15.00", "0.5"),  # the upper bound belongs to the lower band
        ("employed", "3000.01", "30.00", "1"),
        ("employed", "5000.00", "50.00", "1"),
        ("employed", "5000.01", "75.00", "1.5"),
        ("employed", "10000.00", "150.00", "1.5"),
        ("employed", "10000.01", "200.00", "2"),
        ("employed", "12345.67", "246.91", "2"),  # 246.9134 rounded to the fen
        ("retired", "5000.00", "25.00", "0.5"),
        ("retired", "5000.01", "50.00", "1"),
        ("employed", "3333.33", "33.33", "1"),
        ("employed", "2999.99", "15.00", "0.5"),  # 14.99995 rounds half up
    ],
)
def test_the_bands_at_their_edges(db, category: str, income: str, amount: str, percent: str) -> None:
    result = monthly_dues(category, D(income), year=2026)
    assert result.amount == D(amount)
    assert isinstance(result.amount, D) and result.amount.as_tuple().exponent == -2
    assert f"× {percent}%" in result.basis


def test_flat_categories(db) -> None:
    assert monthly_dues("student", None, year=2026).amount == D("0.20")
    assert monthly_dues("unemployed", D("800"), year=2026).amount == D("0.20")
    assert monthly_dues("farmer", None, year=2026).amount == D("0.20")
    assert monthly_dues("farmer", None, year=2026, flat=D("1.00")).amount == D("1.00")
    with pytest.raises(ValidationError) as exc:
        monthly_dues("farmer", None, year=2026, flat=D("1.50"))
    assert exc.value.message_dict == {"amount": ["农民党员每月党费应在0.20元至1.00元之间。"]}


def test_a_band_category_needs_an_income_and_other_has_no_rule(db) -> None:
    with pytest.raises(ValidationError) as exc:
        monthly_dues("employed", None, year=2026)
    assert exc.value.message_dict == {"base_income": ["在职党员按月工资收入计算党费，请填写税后月工资收入。"]}
    with pytest.raises(ValidationError) as exc:
        monthly_dues("other", D("3000"), year=2026)
    assert "没有党费标准" in exc.value.message_dict["amount"][0]


def test_a_new_version_of_the_table_applies_from_the_year_it_takes_effect(db) -> None:
    effective = datetime.date(2027, 1, 1)
    for above, up_to, rate in ((D("0"), D("4000"), D("0.005")), (D("4000"), None, D("0.01"))):
        DuesRule.objects.create(category="retired", income_above=above, income_up_to=up_to, rate=rate, effective_from=effective)
    assert monthly_dues("retired", D("4500"), year=2026).amount == D("22.50")  # 0.5% under the 2008 table
    assert monthly_dues("retired", D("4500"), year=2027).amount == D("45.00")  # 1% under the new one
    assert monthly_dues("employed", D("4500"), year=2027).amount == D("45.00")  # other categories keep theirs


def test_the_dues_table_is_versioned_in_the_admin(db, client) -> None:
    from django.urls import reverse

    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    rule = DuesRule.objects.get(category="employed", income_above=D("3000"))
    form = client.get(reverse("admin:members_duesrule_change", args=[rule.pk])).context["adminform"].form
    assert set(form.fields) == {"note"}
    response = client.post(reverse("admin:members_duesrule_delete", args=[rule.pk]), {"post": "yes"})
    assert response.status_code == 403 and DuesRule.objects.filter(pk=rule.pk).exists()
