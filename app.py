"""Overview: what the trial found, in one screen."""
import streamlit as st

from dashboard.state import sidebar

st.set_page_config(page_title="Overview · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()
st.title("Overview")
res = ctx.results
st.write(res[["label", "subgroup", "p_value", "significant"]])
