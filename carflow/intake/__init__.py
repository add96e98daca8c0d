"""Leads that arrive by themselves: the JSON API, ADF/XML over HTTP and e-mail, the
dealer's website form (issue 15). Every channel turns its payload into an `IncomingLead`
(`carflow.intake.incoming`) and hands it to one service."""
