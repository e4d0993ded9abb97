"""The ``talentmap`` command line: a thin front end over analytics/, ml/ and data/."""
