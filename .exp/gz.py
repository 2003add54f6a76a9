import boto3
from moto.server import ThreadedMotoServer
import requests
s = ThreadedMotoServer(port=5078); s.start()
url="http://127.0.0.1:5078"
r53 = boto3.client("route53", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
z = r53.create_hosted_zone(Name="ssm.example.com", CallerReference="a", VPC={"VPCRegion":"ap-northeast-1","VPCId":"vpc-0a1b2c3d4e5f60001"}, HostedZoneConfig={"PrivateZone":True})
zid = z["HostedZone"]["Id"].split("/")[-1]
print(requests.get(f"{url}/2013-04-01/hostedzone/{zid}", headers={"Authorization":"AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/route53/aws4_request"}).text[-600:])
s.stop()
