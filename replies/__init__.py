"""Letters and emails: jinja2 templates and the code that renders a case into them. Pure."""
