"""Template tags of the admin's templates."""
