"""The rules of an enrollment, checked before the database's own constraints refuse.

Forms, the grade book and the list's inline editing all ask `enrollment_problems` so a
rule broken by staff is a message on the field, not an IntegrityError; the CHECK
constraints of the table still hold the line for anything that bypasses the forms.
"""

from __future__ import annotations

from shop.models.school import ENROLLMENT_STATUSES, GRADES

DROPPED = "dropped"
DROPPED_HAS_NO_GRADE = (
    "A dropped enrollment cannot receive a grade: clear the grade or change the status."
)
NOT_A_GRADE = "“{grade}” is not a grade. Choose one of " + " ".join(GRADES) + ", or leave it empty."
NOT_A_STATUS = "“{status}” is not an enrollment status."


def enrollment_problems(status: str | None, grade: str | None) -> dict[str, str]:
    """field name -> message for each rule the (status, grade) pair breaks; {} if none."""
    problems: dict[str, str] = {}
    if grade not in (None, "") and grade not in GRADES:
        problems["grade"] = NOT_A_GRADE.format(grade=grade)
    if status is not None and status not in ENROLLMENT_STATUSES:
        problems["status"] = NOT_A_STATUS.format(status=status)
    elif status == DROPPED and grade not in (None, ""):
        problems["grade"] = DROPPED_HAS_NO_GRADE
    return problems
