"""Weekly trends: figures per ISO week and source, themes, response; HTML, CSV, chart, Slack."""
