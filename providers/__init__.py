"""Provider logins: a supplier in an organisation's directory sees what it is paid and owed."""
