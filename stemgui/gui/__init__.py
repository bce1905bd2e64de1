"""The Streamlit layer: every `import streamlit` of the package lives in here (and in app.py, pages/)."""
