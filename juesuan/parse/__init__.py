"""Tables, narrative figures and document identity from pages; arrives with issue #3."""
