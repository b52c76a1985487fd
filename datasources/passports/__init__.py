"""The passports agency's registry: passports, travel permits and their transitions,
renewals, the change log subscribers resume from, and the dashboard's statistics."""
