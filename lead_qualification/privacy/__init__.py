"""Personal data: lawful basis for marketing e-mails, the quote-request web form, erasure
and retention (GDPR / RGPD, with the CNIL's guidance as the default policy)."""
