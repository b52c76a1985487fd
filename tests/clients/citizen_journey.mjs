// The operations a citizen's app sends, in the order a visit sends them.
//
// `execute(name, variables)` is the client under test; it answers
// {data, errors: [{code, message}], failure} where `failure` names an error the client
// library raised without a GraphQL answer. Each step's answer is reported as it came; the
// Python test decides what is right. A step whose input comes from an earlier one that
// failed is reported as skipped, so one failure does not hide the others.

/** The gateway and the signed-in person, from the environment the Python test sets. */
export function journeyEnvironment() {
  const required = ["BAWABA_URL", "BAWABA_PERSON_TOKEN", "BAWABA_TRAVELLER_ID"];
  for (const name of required) {
    if (!process.env[name]) throw new Error(`${name} is not set`);
  }
  return {
    url: process.env.BAWABA_URL,
    graphqlUrl: `${process.env.BAWABA_URL}/graphql`,
    token: process.env.BAWABA_PERSON_TOKEN,
    refreshToken: process.env.BAWABA_REFRESH_TOKEN ?? null,
    travellerId: process.env.BAWABA_TRAVELLER_ID,
    idempotencyKey: process.env.BAWABA_IDEMPOTENCY_KEY ?? `real-client-${Date.now()}`,
  };
}

function day(offset) {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + offset);
  return date.toISOString().slice(0, 10);
}

/** Run every citizen operation through `execute`; the list of steps with their answers. */
export async function runCitizenJourney(execute, environment) {
  const steps = [];
  const step = async (name, variables) => {
    const answer = await execute(name, variables);
    steps.push({ operation: name, variables, ...answer });
    return answer.data ?? null;
  };
  const skip = (name, because) => steps.push({ operation: name, skipped: because });

  const family = await step("MyFamily", {});
  const traveller = family?.me?.dependents?.find(
    (dependent) => dependent.person.nationalId === environment.travellerId,
  );
  const existingPermit = traveller?.travelPermits?.edges?.[0]?.node?.id;
  if (existingPermit) await step("PermitDetails", { id: existingPermit });
  else skip("PermitDetails", "MyFamily gave no permit of the traveller");

  const issued = await step("IssueTravelPermit", {
    input: {
      travellerNationalId: environment.travellerId,
      kind: "SINGLE_TRIP",
      destinations: ["FR"],
      validFrom: day(10),
      validUntil: day(20),
      idempotencyKey: environment.idempotencyKey,
    },
  });
  const newPermit = issued?.issueTravelPermit?.permit?.id;
  if (newPermit) await step("CancelTravelPermit", { id: newPermit, reason: "plans changed" });
  else skip("CancelTravelPermit", "IssueTravelPermit gave no permit");

  await step("MyDataAccessLog", { first: 5 });
  await step("MyNotifications", { first: 5 });

  if (environment.refreshToken) {
    const refreshed = await step("RefreshSession", { refreshToken: environment.refreshToken });
    const next = refreshed?.refreshSession?.session?.refreshToken;
    if (next) await step("Logout", { refreshToken: next });
    else skip("Logout", "RefreshSession gave no session");
  } else {
    skip("RefreshSession", "no BAWABA_REFRESH_TOKEN");
    skip("Logout", "no BAWABA_REFRESH_TOKEN");
  }
  return steps;
}

/** The {code, message} of each GraphQL error of an answer. */
export function graphqlErrors(errors) {
  return (errors ?? []).map((error) => ({
    code: error?.extensions?.code ?? null,
    message: error?.message ?? null,
  }));
}

/** Print the script's result as one JSON document, for the Python test to read. */
export function report(result) {
  process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
}
