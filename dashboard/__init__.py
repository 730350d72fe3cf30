"""Shared pieces of the Streamlit app: settings sidebar, cached loading and analysis,
figure builders and export builders. Pages import from here; statistics come from fd_stats."""
