import streamlit as st
from dashboard.state import sidebar
ctx = sidebar()
st.title("Outcomes")
st.write(ctx.results[["label", "p_value"]])
