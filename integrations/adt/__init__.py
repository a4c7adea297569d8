"""HL7 v2 ADT in (issue 21): patients arriving from the hospital's ADT feed over MLLP.

``messages`` (parsing with the ``hl7`` library, validation naming segment and field, ACKs),
``services`` (the changes: create or update by MRN and assigning authority, merge; idempotent on
MSH-10; audited), ``mllp`` (framing) and ``listener`` (the TCP server run by
``manage.py adt_listener``).
"""
