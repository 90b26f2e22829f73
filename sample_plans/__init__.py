"""Action plans transcribed from published HMPPS responses to HM Inspectorate of Probation reports."""
