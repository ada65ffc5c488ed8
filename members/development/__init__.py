"""发展党员: records, the stage services (services/), reads, pages, API and reminders."""
