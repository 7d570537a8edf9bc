"""People's accounts: users with passwords, login throttling, forced password change."""
