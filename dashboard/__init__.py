"""Shared pieces of the Streamlit app: settings sidebar, cached loading and analysis,
figure builders and export builders. Pages import from here; statistics come from fd_stats."""

# Every page imports this package, so a server started with plain ``streamlit run`` (not the
# launcher) also keeps uploads in memory: see dashboard.serve.keep_uploads_in_memory.
from dashboard.serve import keep_uploads_in_memory as _keep_uploads_in_memory

_keep_uploads_in_memory()
