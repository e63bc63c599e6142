"""Payment reference schemes: generate, detect and find structured references in free text.

An invoice carries one structured reference so the bank statement line that pays it can be
matched without a human: the Belgian OGM/VCS (Febelfin standard) or the international ISO 11649
RF creditor reference. This module picks the scheme, generates references from a seed (an
invoice or customer number), recognises a reference typed alone, and finds candidate references
inside free remittance text, where payers paste them among other words.

Examples:
    >>> generate_reference(ReferenceScheme.OGM_VCS, 108068171)
    '010806817183'
    >>> detect_reference("RF18 5390 0754 7034")
    (<ReferenceScheme.RF: 'rf'>, 'RF18539007547034')
    >>> [m.value for m in find_references_in_text("inv 42 +++010/8068/17183+++ thanks")]
    ['010806817183']
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

from attrs import frozen

from s2c_core.references import _stdnum, ogm_vcs, rf_creditor

__all__ = [
    "ReferenceMatch",
    "ReferenceScheme",
    "detect_reference",
    "find_references_in_text",
    "generate_reference",
]


class ReferenceScheme(StrEnum):
    """The structured payment reference schemes s2c_core generates and recognises.

    Examples:
        >>> ReferenceScheme("rf")
        <ReferenceScheme.RF: 'rf'>
    """

    OGM_VCS = "ogm_vcs"
    """Belgian structured communication, 12 digits (Febelfin)."""
    RF = "rf"
    """ISO 11649 creditor reference, ``RF`` + 2 check digits + up to 21 characters."""


@frozen
class ReferenceMatch:
    """A structured reference found in free text.

    Attributes:
        scheme: The reference's scheme.
        value: The compact, validated reference (as [validate][s2c_core.references.ogm_vcs.validate]
            returns it).
        start: Index of the first character of the match in the text.
        end: Index just after the last character of the match.

    Examples:
        >>> text = "paid +++010/8068/17183+++"
        >>> match = find_references_in_text(text)[0]
        >>> text[match.start : match.end], match.value
        ('+++010/8068/17183+++', '010806817183')
    """

    scheme: ReferenceScheme
    value: str
    start: int
    end: int


def generate_reference(scheme: ReferenceScheme | str, seed: int | str) -> str:
    """Generate the compact structured reference of *scheme* for *seed*.

    OGM/VCS takes an int (or a string of digits) from 1 to 9 999 999 999 as the 10-digit base;
    RF takes an int or 1-21 letters and digits. The result is deterministic, so the same
    invoice number always gives the same reference.

    Raises:
        InvalidReferenceError: the seed does not fit the scheme, or the scheme is unknown.

    Examples:
        >>> generate_reference("rf", "2348231")
        'RF712348231'
        >>> ogm_vcs.format(generate_reference(ReferenceScheme.OGM_VCS, "2024000042"))
        '+++202/4000/04279+++'
    """
    try:
        chosen = ReferenceScheme(scheme)
    except ValueError:
        raise _stdnum.invalid("reference", scheme, "component", "unknown scheme") from None
    if chosen is ReferenceScheme.RF:
        return rf_creditor.from_reference(seed)
    if isinstance(seed, str):
        digits = seed.strip()
        if not (digits.isascii() and digits.isdigit()):
            raise _stdnum.invalid(ogm_vcs.KIND, seed, "format", "an OGM/VCS seed is digits only")
        seed = int(digits)
    return ogm_vcs.from_number(seed)


def detect_reference(text: str) -> tuple[ReferenceScheme, str] | None:
    """Recognise *text* as a whole as a valid structured reference; None when it is not one.

    Separators and the ``+++``/``***`` delimiters are ignored. Never raises.

    Examples:
        >>> detect_reference("***010/8068/17183***")
        (<ReferenceScheme.OGM_VCS: 'ogm_vcs'>, '010806817183')
        >>> detect_reference("010/8068/17184") is None
        True
    """
    if ogm_vcs.is_valid(text):
        return ReferenceScheme.OGM_VCS, ogm_vcs.validate(text)
    if rf_creditor.is_valid(text):
        return ReferenceScheme.RF, rf_creditor.validate(text)
    return None


# +++123/4567/89002+++ or ***...*** (blanks tolerated inside), then 123/4567/89002, then 12 bare
# digits not glued to other letters or digits.
_OGM_DELIMITED: Final = re.compile(r"(\+{3}|\*{3})\s*(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})\s*\1")
_OGM_SLASHED: Final = re.compile(r"(?<![0-9A-Za-z/])(\d{3})/(\d{4})/(\d{5})(?![0-9A-Za-z/])")
_OGM_BARE: Final = re.compile(r"(?<![0-9A-Za-z])(\d{12})(?![0-9A-Za-z])")
# RF, two digits, then letters/digits in groups separated by single blanks or dashes.
_RF_START: Final = re.compile(r"(?<![0-9A-Za-z])RF\d{2}", re.IGNORECASE)
_RF_GROUP: Final = re.compile(r"[ -]?([0-9A-Za-z]+)")


def _rf_at(text: str, start: int) -> tuple[str, int] | None:
    """Longest valid RF reference beginning at *start*, cut only between groups of characters."""
    pos = start + 4
    chars = text[start:pos].upper()
    cuts: list[tuple[str, int]] = []
    while True:
        group = _RF_GROUP.match(text, pos)
        if group is None or len(chars) - 4 + len(group.group(1)) > rf_creditor.MAX_BASE_LENGTH:
            break
        chars += group.group(1).upper()
        pos = group.end()
        cuts.append((chars, pos))
    for candidate, end in reversed(cuts):
        if rf_creditor.is_valid(candidate):
            return rf_creditor.validate(candidate), end
    return None


def find_references_in_text(free_text: str) -> tuple[ReferenceMatch, ...]:
    """Find the valid OGM/VCS and RF references in free remittance text, in text order.

    Recognised forms:

    * OGM/VCS delimited by ``+++`` or ``***`` (``+++010/8068/17183+++``, blanks tolerated);
    * OGM/VCS with its slashes only (``010/8068/17183``);
    * 12 bare digits standing alone (not part of a longer word such as an IBAN) whose check
      digits are right;
    * ``RF`` + two digits + groups of letters and digits (``RF18 5390 0754 7034``); the longest
      run of whole groups that validates is taken, so words after the reference are left alone.

    Only references whose check digits are right are returned (a wrong one cannot be told from an
    unrelated number), each value once, at its first position. Never raises.

    Examples:
        >>> text = "Pay RF18 5390 0754 7034 and 010806817183, not 010806817184"
        >>> [(m.scheme.value, m.value) for m in find_references_in_text(text)]
        [('rf', 'RF18539007547034'), ('ogm_vcs', '010806817183')]
    """
    found: list[ReferenceMatch] = []
    taken: list[tuple[int, int]] = []

    def overlaps(start: int, end: int) -> bool:
        return any(start < t_end and t_start < end for t_start, t_end in taken)

    for pattern in (_OGM_DELIMITED, _OGM_SLASHED, _OGM_BARE):
        for match in pattern.finditer(free_text):
            digits = "".join(g for g in match.groups() if g and g.isdigit())
            if ogm_vcs.is_valid(digits) and not overlaps(match.start(), match.end()):
                taken.append((match.start(), match.end()))
                found.append(
                    ReferenceMatch(ReferenceScheme.OGM_VCS, digits, match.start(), match.end())
                )
    for match in _RF_START.finditer(free_text):
        hit = _rf_at(free_text, match.start())
        if hit is not None and not overlaps(match.start(), hit[1]):
            taken.append((match.start(), hit[1]))
            found.append(ReferenceMatch(ReferenceScheme.RF, hit[0], match.start(), hit[1]))
    found.sort(key=lambda m: m.start)
    seen: set[tuple[ReferenceScheme, str]] = set()
    unique: list[ReferenceMatch] = []
    for item in found:
        if (item.scheme, item.value) not in seen:
            seen.add((item.scheme, item.value))
            unique.append(item)
    return tuple(unique)
