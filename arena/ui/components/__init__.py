"""Small custom components (st.components.v2) the arena needs and Streamlit lacks."""
