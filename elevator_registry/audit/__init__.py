"""Who did what to which record, when: the audit trail every write leaves."""
