"""The elevator's dossier (一梯一档): its whole file in one document, JSON or XLSX."""
