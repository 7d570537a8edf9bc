"""Notifications: the transactional outbox, its delivery channels, subscriptions, the signed
acknowledge link and the escalation policy that decides who is told what, when."""
