"""Students, clubs (a plain association table) and courses (an association object)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models.base import Base, choice_type, trigram_index

GRADES = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D", "F")
ENROLLMENT_STATUSES = ("active", "dropped", "completed")

student_clubs = Table(
    "student_clubs",
    Base.metadata,
    Column("student_id", ForeignKey("students.id", ondelete="CASCADE"), primary_key=True),
    # A club's members are counted by club_id, the key's second column: its own index.
    Column("club_id", ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Student(Base):
    __tablename__ = "students"
    __table_args__ = (
        Index("ix_students_last_name_first_name_id", "last_name", "first_name", "id"),
        trigram_index("students", "last_name"),
        trigram_index("students", "first_name"),
        trigram_index("students", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(50))
    last_name: Mapped[str] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(100), unique=True)

    clubs: Mapped[list[Club]] = relationship(secondary=student_clubs, back_populates="students")
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Club(Base):
    __tablename__ = "clubs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(String(500))

    students: Mapped[list[Student]] = relationship(secondary=student_clubs, back_populates="clubs")

    def __str__(self) -> str:
        return self.name


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (CheckConstraint("credits > 0", name="credits_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    credits: Mapped[int]

    # Grades are records: a course with enrollments cannot be deleted.
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="course", passive_deletes="all"
    )

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Enrollment(Base):
    """Association object: a student in a course, with grade, status and notes."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("student_id", "course_id"),
        CheckConstraint("status <> 'dropped' OR grade IS NULL", name="dropped_has_no_grade"),
        # The enrollment list: newest first, also within a status or a grade filter.
        Index("ix_enrollments_enrolled_date_id", "enrolled_date", "id"),
        Index("ix_enrollments_status_enrolled_date_id", "status", "enrolled_date", "id"),
        Index("ix_enrollments_grade_enrolled_date_id", "grade", "enrolled_date", "id"),
        # A student's enrollments by status (the student list's status filter) with their
        # dates (a search by student reads keys and dates here).
        Index(
            "ix_enrollments_student_id_status_enrolled_date_id",
            "student_id",
            "status",
            "enrolled_date",
            "id",
        ),
        # A course's enrolled count and average grade, read from the index alone.
        Index("ix_enrollments_course_id_status_grade", "course_id", "status", "grade"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"))
    enrolled_date: Mapped[date] = mapped_column(default=date.today)
    grade: Mapped[str | None] = mapped_column(choice_type("grade", GRADES, length=2))
    notes: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(
        choice_type("enrollment_status", ENROLLMENT_STATUSES), default="active"
    )
    version_id: Mapped[int] = mapped_column(default=1)

    student: Mapped[Student] = relationship(back_populates="enrollments")
    course: Mapped[Course] = relationship(back_populates="enrollments")

    __mapper_args__ = {"version_id_col": version_id}

    def __str__(self) -> str:
        return f"student #{self.student_id} in course #{self.course_id}"
