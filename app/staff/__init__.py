"""Staff workspace: accounts and roles, procedures, submissions inbox, audit log."""
