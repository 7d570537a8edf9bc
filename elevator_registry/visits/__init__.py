"""The maintenance visit on the worker's phone (电子维保): check-in, checklist, photos, submit."""
