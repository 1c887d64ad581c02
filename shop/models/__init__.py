"""SQLAlchemy mappings, one module per domain. Nothing here imports Django."""

from __future__ import annotations

from shop.models.audit import AuditDetail, AuditRecord
from shop.models.base import Base
from shop.models.clinic import Appointment, Owner, Pet, Vet
from shop.models.commerce import Cart, CartItem, Order, OrderItem, Product, SnapshotImmutableError
from shop.models.school import Club, Course, Enrollment, Student, student_clubs
from shop.models.social import Comment, Post, Profile, User, following_table, likes_table

__all__ = [
    "Appointment",
    "AuditDetail",
    "AuditRecord",
    "Base",
    "Cart",
    "CartItem",
    "Club",
    "Comment",
    "Course",
    "Enrollment",
    "Order",
    "OrderItem",
    "Owner",
    "Pet",
    "Post",
    "Product",
    "Profile",
    "SnapshotImmutableError",
    "Student",
    "User",
    "Vet",
    "following_table",
    "likes_table",
    "student_clubs",
]
