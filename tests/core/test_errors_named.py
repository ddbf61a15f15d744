"""errors_named: errors inside name the caller's arguments, and explain derived ones."""

from __future__ import annotations

import pytest

from cxmetrics._core.shapes import errors_named
from cxmetrics.exceptions import InvalidInputError, MissingValueError


def test_renames_only_backticked_names():
    with pytest.raises(InvalidInputError) as err, errors_named({"responses": "a"}):
        raise InvalidInputError("`responses` must be 1-D; responses were given.")
    assert str(err.value) == "`a` must be 1-D; responses were given."


def test_derived_arguments_are_explained_keeping_the_class():
    derived = {"traffic": "`volumes` x `aht`", "agents": "`scheduled` x 2"}
    with pytest.raises(MissingValueError) as err, errors_named({}, derived=derived):
        raise MissingValueError("`traffic` has a NaN at index 3.")
    assert type(err.value) is MissingValueError
    assert str(err.value) == (
        "`traffic` has a NaN at index 3. (here `traffic` = `volumes` x `aht`)"
    )


def test_other_errors_pass_unchanged():
    original = InvalidInputError("`aht` must be positive; got -1.")
    with (
        pytest.raises(InvalidInputError) as err,
        errors_named({"responses": "a"}, derived={"traffic": "`volumes` x `aht`"}),
    ):
        raise original
    assert err.value is original
