"""The programme's delivery and economics: engagement, the CONSORT flow, cost and benefit."""
