"""The school: students, clubs, courses and enrollments."""

from __future__ import annotations

from shop.admin import ModelAdmin, register
from shop.models import Club, Course, Enrollment, Student
from shop.registrations.site import site


@register(Student, site=site)
class StudentAdmin(ModelAdmin):
    pass


@register(Club, site=site)
class ClubAdmin(ModelAdmin):
    pass


@register(Course, site=site)
class CourseAdmin(ModelAdmin):
    pass


@register(Enrollment, site=site)
class EnrollmentAdmin(ModelAdmin):
    pass
