"""The data of actiontrack: plans, actions, owners, statuses and their history. Never imports Textual."""
