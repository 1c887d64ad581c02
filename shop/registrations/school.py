"""The school: students, clubs, courses and enrollments."""

from __future__ import annotations

from shop.admin import ModelAdmin, register
from shop.models import Club, Course, Enrollment, Student
from shop.registrations.site import site


@register(Student, site=site)
class StudentAdmin(ModelAdmin):
    list_display = ("last_name", "first_name", "email")
    list_filter = ("clubs",)  # a many-to-many: filtered with EXISTS
    search_fields = ("^last_name", "^first_name", "email")
    ordering = ("last_name", "first_name")


@register(Club, site=site)
class ClubAdmin(ModelAdmin):
    list_display = ("name", "description")
    search_fields = ("name", "description")
    ordering = ("name",)


@register(Course, site=site)
class CourseAdmin(ModelAdmin):
    list_display = ("code", "title", "credits")
    list_filter = ("credits",)
    search_fields = ("^code", "title")
    ordering = ("code",)


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
    search_fields = ("^student__last_name", "student__email", "^course__code")
    ordering = ("-enrolled_date",)
    date_hierarchy = "enrolled_date"
    fieldsets = (
        (None, {"fields": ("student", "course", "enrolled_date")}),
        ("Result", {"fields": ("status", "grade", "notes")}),
    )
