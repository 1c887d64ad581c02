"""The school: students, clubs, courses and enrollments.

Counts and grade averages in the lists are correlated subqueries labeled in get_query
(Django's annotate()): one query per page, sortable, whatever the number of rows.
Every form that sets an enrollment's status or grade - its own page, both inlines -
checks the rules of shop.services.school.rules before the database's CHECK would refuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from sqlalchemy import ColumnElement, bindparam, inspect, select
from sqlalchemy.orm import object_session

from shop.admin import ModelAdmin, register
from shop.admin.annotations import count_of
from shop.admin.changelist.simple_filter import SimpleListFilter
from shop.admin.forms.factory import AdminModelForm
from shop.admin.inlines import TabularInline
from shop.models import Club, Course, Enrollment, Student, student_clubs
from shop.models.school import ENROLLMENT_STATUSES
from shop.registrations.actions import drop_enrollments, enroll_in_course
from shop.registrations.club_roster import page_roster, roster_html
from shop.registrations.gradebook import gradebook_csv_view, gradebook_view
from shop.registrations.site import site
from shop.registrations.transcript import transcript_csv_view, transcript_view
from shop.services.school.grades import course_average, student_gpa
from shop.services.school.rules import DROPPED, enrollment_problems

ENROLLMENT_COUNT = count_of(
    Enrollment, Enrollment.student_id == Student.id, label="enrollment_count"
)
CLUB_COUNT = count_of(student_clubs, student_clubs.c.student_id == Student.id, label="club_count")
STUDENT_GPA = student_gpa().label("GPA")
# On the roster now or finished: a dropped enrollment is kept as history, not counted.
ENROLLED_COUNT = count_of(
    Enrollment, Enrollment.course_id == Course.id, Enrollment.status != DROPPED, label="enrolled"
)
COURSE_AVERAGE = course_average().label("average_grade")
# One student's GPA and one course's average, for their pages: built once (the CASE
# over the grade scale is costly to build), the id bound at each execution.
GPA_OF_STUDENT = (
    select(student_gpa()).select_from(Student).where(Student.id == bindparam("student_id"))
)
AVERAGE_OF_COURSE = (
    select(course_average()).select_from(Course).where(Course.id == bindparam("course_id"))
)
MEMBER_COUNT = count_of(student_clubs, student_clubs.c.club_id == Club.id, label="member_count")
MAX_CREDITS = 2**31 - 1
NOT_ENROLLED = "none"


class EnrollmentForm(AdminModelForm):
    """An enrollment's status and grade checked together: a dropped one has no grade.

    A value the form does not edit (read-only, or not shown) is the enrollment's own.
    The grade field itself offers only the grades of the scale (the column's choices).
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        status, grade = self._value("status"), self._value("grade")
        for name, message in enrollment_problems(status, grade).items():
            if name in self.errors:
                continue  # that field already says what is wrong with it
            editable = name in self.fields and not self.fields[name].disabled
            self.add_error(name if editable else None, message)
        return cleaned

    def _value(self, name: str) -> Any:
        if name in self.fields and not self.fields[name].disabled:
            return self.cleaned_data.get(name)
        return getattr(self.instance, name, None) if self.instance is not None else None


class CourseForm(AdminModelForm):
    """Credits are a whole number of at least 1 (the table's CHECK credits > 0)."""

    credits = forms.IntegerField(label="Credits", min_value=1, max_value=MAX_CREDITS)


class StudentEnrollmentInline(TabularInline):
    """A student's courses (the association object), with status and grade."""

    model = Enrollment
    form = EnrollmentForm
    fields = ("course", "enrolled_date", "status", "grade", "notes")
    autocomplete_fields = ("course",)
    extra = 1
    show_change_link = True


class CourseEnrollmentInline(TabularInline):
    """A course's students, with status and grade."""

    model = Enrollment
    form = EnrollmentForm
    fields = ("student", "enrolled_date", "status", "grade", "notes")
    autocomplete_fields = ("student",)
    extra = 1
    show_change_link = True


class EnrollmentStatusFilter(SimpleListFilter):
    """Students with an enrollment in a given status (EXISTS), or with none at all."""

    title = "enrollment status"
    parameter_name = "enrollment_status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Iterable[tuple[str, str]]:
        statuses = [(status, status.capitalize()) for status in ENROLLMENT_STATUSES]
        return (*statuses, (NOT_ENROLLED, "Not enrolled anywhere"))

    def where(self, value: str) -> ColumnElement[bool] | None:
        if value == NOT_ENROLLED:
            return ~Student.enrollments.any()
        # `value` is one of the declared statuses (the filter refuses any other).
        return Student.enrollments.any(Enrollment.status == value)


def _link(url: str, text: str) -> str:
    return format_html('<a href="{}">{}</a>', url, text)


@register(Student, site=site)
class StudentAdmin(ModelAdmin):
    list_display = ("last_name", "first_name", "email", "enrollment_count", "club_count", "GPA")
    actions = (enroll_in_course,)
    # Many-to-many and one-to-many paths: filtered with EXISTS, one row per student.
    list_filter = ("enrollments__course", "clubs", EnrollmentStatusFilter)
    search_fields = ("^last_name", "^first_name", "email")
    autocomplete_fields = ("clubs",)
    ordering = ("last_name", "first_name")
    inlines = (StudentEnrollmentInline,)

    def get_query(self, request: HttpRequest) -> Any:
        return select(Student, ENROLLMENT_COUNT, CLUB_COUNT, STUDENT_GPA)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Sequence[str]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if obj is None else (*fields, "transcript")

    def transcript(self, student: Student) -> str:
        """The GPA (one query) and the link to the transcript page."""
        if inspect(student).key is None:
            return "-"
        session = object_session(student)
        gpa = session.scalar(GPA_OF_STUDENT, {"student_id": student.id})  # type: ignore[union-attr]
        url = reverse(
            f"admin:{self.url_prefix}_transcript",
            args=(student.id,),
            current_app=self.admin_site.name,
        )
        text = "No graded courses yet" if gpa is None else f"GPA {gpa}"
        return _link(url, f"{text}: view transcript")

    transcript.short_description = "Transcript"  # type: ignore[attr-defined]

    def has_enroll_permission(self, request: HttpRequest) -> bool:
        """The "enroll" action's permission (Django's custom action permissions): adding
        enrollments."""
        return self.admin_site.get_model_admin(Enrollment).has_add_permission(request)

    def get_urls(self) -> list[URLPattern]:
        """The transcript (and its CSV) beside the student's change page."""
        info = self.url_prefix
        return [
            path(
                "<path:object_id>/transcript/",
                self._wrap(transcript_view),
                name=f"{info}_transcript",
            ),
            path(
                "<path:object_id>/transcript.csv",
                self._wrap(transcript_csv_view),
                name=f"{info}_transcript_csv",
            ),
            *super().get_urls(),
        ]


@register(Club, site=site)
class ClubAdmin(ModelAdmin):
    list_display = ("name", "member_count", "description")
    search_fields = ("name", "description")
    ordering = ("name",)
    # The members, chosen by searching students; added and removed without loading them all.
    autocomplete_fields = ("students",)

    def get_query(self, request: HttpRequest) -> Any:
        return select(Club, MEMBER_COUNT)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Sequence[str]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if obj is None else (*fields, "roster")

    def roster(self, club: Club) -> str:
        """The members by name, linked (read with the member chooser's; see club_roster)."""
        if inspect(club).key is None:
            return "-"
        found = page_roster(object_session(club), club, self)  # type: ignore[arg-type]
        return roster_html(found, club.id, self.admin_site.name)

    roster.short_description = "Roster"  # type: ignore[attr-defined]


@register(Course, site=site)
class CourseAdmin(ModelAdmin):
    list_display = ("code", "title", "credits", "enrolled", "average_grade")
    list_filter = ("credits",)
    search_fields = ("^code", "title")
    ordering = ("code",)
    form = CourseForm
    inlines = (CourseEnrollmentInline,)

    def get_query(self, request: HttpRequest) -> Any:
        return select(Course, ENROLLED_COUNT, COURSE_AVERAGE)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Sequence[str]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if obj is None else (*fields, "gradebook")

    def gradebook(self, course: Course) -> str:
        """The average grade (one query) and the link to the grade book page."""
        if inspect(course).key is None:
            return "-"
        session = object_session(course)
        average = session.scalar(AVERAGE_OF_COURSE, {"course_id": course.id})  # type: ignore[union-attr]
        url = reverse(
            f"admin:{self.url_prefix}_gradebook",
            args=(course.id,),
            current_app=self.admin_site.name,
        )
        text = "Nobody graded yet" if average is None else f"Average grade {average}"
        return _link(url, f"{text}: open the grade book")

    gradebook.short_description = "Grade book"  # type: ignore[attr-defined]

    def get_urls(self) -> list[URLPattern]:
        """The grade book (and its CSV) beside the course's change page."""
        info = self.url_prefix
        return [
            path(
                "<path:object_id>/gradebook/",
                self._wrap(gradebook_view),
                name=f"{info}_gradebook",
            ),
            path(
                "<path:object_id>/gradebook.csv",
                self._wrap(gradebook_csv_view),
                name=f"{info}_gradebook_csv",
            ),
            *super().get_urls(),
        ]


@register(Enrollment, site=site)
class EnrollmentAdmin(ModelAdmin):
    list_display = (
        "student__last_name",
        "student__first_name",
        "course__code",
        "grade",
        "status",
        "enrolled_date",
    )
    list_filter = ("status", "grade", "course", "enrolled_date")
    list_editable = ("grade", "status")
    changelist_form = EnrollmentForm  # a dropped row is refused a grade in the list too
    actions = (drop_enrollments,)
    search_fields = ("^student__last_name", "student__email", "^course__code")
    autocomplete_fields = ("student", "course")
    ordering = ("-enrolled_date",)
    date_hierarchy = "enrolled_date"
    form = EnrollmentForm
    fieldsets = (
        (None, {"fields": ("student", "course", "enrolled_date")}),
        ("Result", {"fields": ("status", "grade", "notes")}),
    )
