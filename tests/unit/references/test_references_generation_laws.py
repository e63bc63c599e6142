"""Generated references always validate, print, and are found again in remittance text."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from s2c_core.references import (
    ReferenceScheme,
    detect_reference,
    find_references_in_text,
    generate_reference,
    ogm_vcs,
    rf_creditor,
)

words = st.lists(
    st.sampled_from(["inv", "paid", "thanks", "ref:", "2024", "EUR", "12,50"]), max_size=4
).map(" ".join)
rf_bases = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=21)


@given(base=st.integers(1, ogm_vcs.MAX_BASE), before=words, after=words)
def test_a_generated_ogm_is_valid_and_found_in_text(base: int, before: str, after: str) -> None:
    ref = generate_reference(ReferenceScheme.OGM_VCS, base)
    assert ogm_vcs.validate(ogm_vcs.format(ref)) == ref
    assert detect_reference(ogm_vcs.format(ref)) == (ReferenceScheme.OGM_VCS, ref)
    found = find_references_in_text(f"{before} {ogm_vcs.format(ref)} {after}")
    assert [(m.scheme, m.value) for m in found] == [(ReferenceScheme.OGM_VCS, ref)]


@given(base=rf_bases, before=words)
def test_a_generated_rf_is_valid_and_found_in_text(base: str, before: str) -> None:
    ref = generate_reference(ReferenceScheme.RF, base)
    assert rf_creditor.validate(rf_creditor.format(ref)) == ref
    assert ref.endswith(base)
    found = find_references_in_text(f"{before} {rf_creditor.format(ref)}")
    assert (ReferenceScheme.RF, ref) in [(m.scheme, m.value) for m in found]


@given(text=st.text(max_size=80))
def test_text_search_never_raises_and_returns_only_valid_references(text: str) -> None:
    for match in find_references_in_text(text):
        module = ogm_vcs if match.scheme is ReferenceScheme.OGM_VCS else rf_creditor
        assert module.is_valid(match.value)
        assert 0 <= match.start < match.end <= len(text)
