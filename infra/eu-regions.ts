/**
 * AWS regions inside the European Union. London (eu-west-2) and Zurich (eu-central-2) are in Europe
 * but not in the EU, so personal data of Danish citizens may not be processed there under an EU-only
 * data processing agreement.
 */
export const EU_REGIONS: Readonly<Record<string, string>> = {
  'eu-central-1': 'Frankfurt, Germany',
  'eu-west-1': 'Ireland',
  'eu-west-3': 'Paris, France',
  'eu-north-1': 'Stockholm, Sweden',
  'eu-south-1': 'Milan, Italy',
  'eu-south-2': 'Aragón, Spain',
};

const NOT_EU: Readonly<Record<string, string>> = {
  'eu-west-2': 'London is in the United Kingdom, which left the EU',
  'eu-central-2': 'Zurich is in Switzerland, which is not in the EU',
};

/** Returns the region if it is in the EU; otherwise throws an error that says why not and what to use. */
export function assertEuRegion(region: string | undefined): string {
  const choose = `Choose one of: ${Object.entries(EU_REGIONS)
    .map(([r, place]) => `${r} (${place})`)
    .join(', ')}.`;
  if (!region) {
    throw new Error(
      `No AWS region given. Set CDK_DEFAULT_REGION (the CDK CLI sets it from your AWS profile) or pass -c region=eu-north-1. ${choose}`,
    );
  }
  if (!(region in EU_REGIONS)) {
    const why = NOT_EU[region] ?? 'it is outside the European Union';
    throw new Error(
      `Refusing to synthesize ticket-proxy for region ${region}: ${why}, and ticket-proxy keeps personal data inside the EU. ${choose}`,
    );
  }
  return region;
}
