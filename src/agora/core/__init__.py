"""Infrastructure shared by every context: no business rules live here."""
