"""Streamlit helpers shared by the pages: the only part of `arena` that imports streamlit."""
